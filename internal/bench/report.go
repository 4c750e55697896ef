package bench

// report.go holds the small pure helpers the benchmarks share: parsing
// Lambda REPORT log lines and diffing the emulator's call counts.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Invocation is what one Lambda REPORT log line says about an invocation.
type Invocation struct {
	RequestID string
	// Duration is the handler's time (from the event to the response).
	Duration time.Duration
	// Init is the cold start (process start until the runtime asks for
	// the event); zero when the line has no Init Duration.
	Init time.Duration
	// MaxMemoryMB is "Max Memory Used", the process's peak RSS.
	MaxMemoryMB int
	// Status is "" for a normal end, else e.g. "timeout" or "error".
	Status string
}

// Wall is the invocation's whole wall time: init plus handler.
func (i Invocation) Wall() time.Duration { return i.Init + i.Duration }

// MedianWall is the median of the invocations' wall times (the mean of the
// two middle ones for an even count); zero for none.
func MedianWall(invs []Invocation) time.Duration {
	if len(invs) == 0 {
		return 0
	}
	walls := make([]time.Duration, len(invs))
	for i, inv := range invs {
		walls[i] = inv.Wall()
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	mid := len(walls) / 2
	if len(walls)%2 == 1 {
		return walls[mid]
	}
	return (walls[mid-1] + walls[mid]) / 2
}

// ParseReport parses a Lambda REPORT line:
//
//	REPORT RequestId: ID\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tInit Duration: 4.56 ms
//
// It returns false when line is not a REPORT line or a field is malformed.
func ParseReport(line string) (Invocation, bool) {
	line = strings.TrimSpace(line)
	rest, ok := strings.CutPrefix(line, "REPORT ")
	if !ok {
		return Invocation{}, false
	}
	var inv Invocation
	var haveDuration, haveMemory bool
	for _, field := range strings.Split(rest, "\t") {
		k, v, ok := strings.Cut(field, ": ")
		if !ok {
			return Invocation{}, false
		}
		var err error
		switch strings.TrimSpace(k) {
		case "RequestId":
			inv.RequestID = strings.TrimSpace(v)
		case "Duration":
			inv.Duration, err = parseMillis(v)
			haveDuration = err == nil
		case "Init Duration":
			inv.Init, err = parseMillis(v)
		case "Max Memory Used":
			inv.MaxMemoryMB, err = parseMB(v)
			haveMemory = err == nil
		case "Status":
			inv.Status = strings.TrimSpace(v)
		}
		if err != nil {
			return Invocation{}, false
		}
	}
	if inv.RequestID == "" || !haveDuration || !haveMemory {
		return Invocation{}, false
	}
	return inv, true
}

func parseMillis(v string) (time.Duration, error) {
	n, ok := strings.CutSuffix(strings.TrimSpace(v), " ms")
	if !ok {
		return 0, fmt.Errorf("%q is not in ms", v)
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%q is not a duration in ms", v)
	}
	return time.Duration(f * float64(time.Millisecond)), nil
}

func parseMB(v string) (int, error) {
	n, ok := strings.CutSuffix(strings.TrimSpace(v), " MB")
	if !ok {
		return 0, fmt.Errorf("%q is not in MB", v)
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 {
		return 0, fmt.Errorf("%q is not a size in MB", v)
	}
	return i, nil
}

// CallDiff returns after - before per "service:Operation", leaving out
// operations whose count did not change.
func CallDiff(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for op, n := range after {
		if d := n - before[op]; d != 0 {
			out[op] = d
		}
	}
	for op, n := range before {
		if _, ok := after[op]; !ok && n != 0 {
			out[op] = -n
		}
	}
	return out
}

// SumService adds the counts of every operation of service ("" = all).
func SumService(calls map[string]int, service string) int {
	total := 0
	for op, n := range calls {
		if service == "" || strings.HasPrefix(op, service+":") {
			total += n
		}
	}
	return total
}

// FormatCalls renders counts as "op=n, op=n" sorted by operation, with
// each count divided by per (the number of rotations or secrets).
func FormatCalls(calls map[string]int, per int) string {
	if per < 1 {
		per = 1
	}
	ops := make([]string, 0, len(calls))
	for op := range calls {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	parts := make([]string, 0, len(ops))
	for _, op := range ops {
		parts = append(parts, op+"="+strconv.FormatFloat(float64(calls[op])/float64(per), 'g', 4, 64))
	}
	return strings.Join(parts, ", ")
}

// ParseVmHWM returns the VmHWM line (peak resident set, in kB) of a Linux
// /proc/PID/status file.
func ParseVmHWM(status string) (kb int64, ok bool) {
	for _, line := range strings.Split(status, "\n") {
		v, found := strings.CutPrefix(line, "VmHWM:")
		if !found {
			continue
		}
		n, isKB := strings.CutSuffix(strings.TrimSpace(v), " kB")
		if !isKB {
			return 0, false
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		return kb, err == nil && kb >= 0
	}
	return 0, false
}
