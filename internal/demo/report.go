package demo

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Staging labels, as Secrets Manager spells them.
const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
	stagePending  = "AWSPENDING"
)

// defaultMaxLogLines bounds the function log lines printed per secret
// (about four rotations' worth).
const defaultMaxLogLines = 20

// Version is one secret version and its staging labels.
type Version struct {
	ID     string
	Stages []string
}

// Snapshot is a secret's rotation state at one moment of the demo.
type Snapshot struct {
	Label           string // e.g. "after apply"
	Versions        []Version
	RotationEnabled bool
	LastRotated     time.Time // zero: never rotated
	NextRotation    time.Time // zero: no rotation scheduled
}

// VersionWith returns the ID of the version that holds stage, or "".
func (s Snapshot) VersionWith(stage string) string {
	for _, v := range s.Versions {
		for _, st := range v.Stages {
			if st == stage {
				return v.ID
			}
		}
	}
	return ""
}

// NewSnapshot builds a Snapshot from DescribeSecret's VersionIdsToStages,
// ordering versions by their most important label (AWSCURRENT, AWSPENDING,
// AWSPREVIOUS, others), then by ID.
func NewSnapshot(label string, versionStages map[string][]string, enabled bool, last, next time.Time) Snapshot {
	s := Snapshot{Label: label, RotationEnabled: enabled, LastRotated: last, NextRotation: next}
	for id, stages := range versionStages {
		st := append([]string(nil), stages...)
		sort.Slice(st, func(i, j int) bool { return stageRank(st[i]) < stageRank(st[j]) })
		s.Versions = append(s.Versions, Version{ID: id, Stages: st})
	}
	sort.Slice(s.Versions, func(i, j int) bool {
		ri, rj := versionRank(s.Versions[i]), versionRank(s.Versions[j])
		if ri != rj {
			return ri < rj
		}
		return s.Versions[i].ID < s.Versions[j].ID
	})
	return s
}

func stageRank(stage string) int {
	switch stage {
	case stageCurrent:
		return 0
	case stagePending:
		return 1
	case stagePrevious:
		return 2
	default:
		return 3
	}
}

func versionRank(v Version) int {
	best := 4
	for _, st := range v.Stages {
		best = min(best, stageRank(st))
	}
	return best
}

// Check is one assertion the demo makes, shown with a tick or a cross.
type Check struct {
	OK   bool
	Text string
}

// RotationCheck checks that a rotation happened between before and after:
// AWSCURRENT moved to a new version and AWSPREVIOUS is the old AWSCURRENT.
func RotationCheck(what string, before, after Snapshot) Check {
	oldCur, newCur, newPrev := before.VersionWith(stageCurrent), after.VersionWith(stageCurrent), after.VersionWith(stagePrevious)
	switch {
	case oldCur == "" || newCur == "":
		return Check{Text: fmt.Sprintf("%s: no AWSCURRENT version (before %q, after %q)", what, oldCur, newCur)}
	case newCur == oldCur:
		return Check{Text: fmt.Sprintf("%s: AWSCURRENT did not move (still %s)", what, oldCur)}
	case newPrev != oldCur:
		return Check{Text: fmt.Sprintf("%s: AWSPREVIOUS is %s, not the old AWSCURRENT %s", what, orNone(newPrev), oldCur)}
	case after.VersionWith(stagePending) != "" && after.VersionWith(stagePending) != newCur:
		return Check{Text: fmt.Sprintf("%s: AWSPENDING left on %s", what, after.VersionWith(stagePending))}
	}
	return Check{OK: true, Text: fmt.Sprintf("%s: AWSCURRENT %s → %s, AWSPREVIOUS is the old AWSCURRENT", what, short(oldCur), short(newCur))}
}

// LogLine is one line the rotation function printed.
type LogLine struct {
	Time    time.Time
	Message string
}

// SecretReport is what the demo shows about one rotated secret.
type SecretReport struct {
	Name      string
	ARN       string
	Strategy  string
	Schedule  string
	Snapshots []Snapshot
	LogGroup  string
	LogLines  []LogLine
}

// Phase is one step of the demo with the API calls it caused.
type Phase struct {
	Name     string
	Duration time.Duration
	Calls    map[string]int // "service:Operation" -> count
	Notes    []string       // short lines, e.g. the CLI's summary line
}

// Report is the demo's output.
type Report struct {
	Title       string
	Phases      []Phase
	Secrets     []SecretReport
	Checks      []Check
	MaxLogLines int // 0 means defaultMaxLogLines
	Footer      []string
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return true
		}
	}
	return false
}

// Lines renders the report as text lines.
func (r *Report) Lines() []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }

	add("%s", r.Title)
	add("")
	add("Steps")
	width := 0
	for _, p := range r.Phases {
		width = max(width, len(p.Name))
	}
	for i, p := range r.Phases {
		add("  %d. %-*s  %6s  %3d API calls", i+1, width, p.Name, roundDuration(p.Duration), totalCalls(p.Calls))
		for _, n := range p.Notes {
			add("       %s", n)
		}
	}

	for _, s := range r.Secrets {
		add("")
		add("Secret %s  (strategy %s, %s)", s.Name, s.Strategy, orNone(s.Schedule))
		add("  %s", s.ARN)
		for _, snap := range s.Snapshots {
			add("  %s: rotation %s, last rotated %s, next rotation %s", snap.Label, enabledWord(snap.RotationEnabled),
				dateOrNever(snap.LastRotated), dateOrNone(snap.NextRotation))
			for _, v := range snap.Versions {
				stages := strings.Join(v.Stages, ", ")
				if stages == "" {
					stages = "(no label: deprecated)"
				}
				add("    %s  %s", v.ID, stages)
			}
		}
		if s.LogGroup != "" {
			add("  Function log %s (%d lines)", s.LogGroup, len(s.LogLines))
			lines := s.LogLines
			limit := r.MaxLogLines
			if limit <= 0 {
				limit = defaultMaxLogLines
			}
			if len(lines) > limit {
				add("    … %d earlier lines not shown", len(lines)-limit)
				lines = lines[len(lines)-limit:]
			}
			for _, l := range lines {
				add("    %s  %s", l.Time.UTC().Format("Jan 02 15:04:05"), strings.TrimRight(l.Message, "\r\n"))
			}
		}
	}

	add("")
	add("API calls")
	for _, p := range r.Phases {
		add("  %s: %d", p.Name, totalCalls(p.Calls))
		for _, line := range callLines(p.Calls) {
			add("    %s", line)
		}
	}

	if len(r.Checks) > 0 {
		add("")
		add("Checks")
		for _, c := range r.Checks {
			mark := "✓"
			if !c.OK {
				mark = "✗"
			}
			add("  %s %s", mark, c.Text)
		}
	}
	if len(r.Footer) > 0 {
		add("")
		out = append(out, r.Footer...)
	}
	return out
}

// WriteTo writes the report's lines to w.
func (r *Report) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, l := range r.Lines() {
		m, err := fmt.Fprintln(w, l)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// callLines groups "service:Operation" counts by service, one line each:
// "secretsmanager  CreateSecret 1, DescribeSecret 3".
func callLines(calls map[string]int) []string {
	bySvc := map[string][]string{}
	for key, n := range calls {
		if n == 0 {
			continue
		}
		svc, op, ok := strings.Cut(key, ":")
		if !ok {
			svc, op = key, "?"
		}
		bySvc[svc] = append(bySvc[svc], fmt.Sprintf("%s %d", op, n))
	}
	svcs := make([]string, 0, len(bySvc))
	width := 0
	for s := range bySvc {
		svcs = append(svcs, s)
		width = max(width, len(s))
	}
	sort.Strings(svcs)
	out := make([]string, 0, len(svcs))
	for _, s := range svcs {
		ops := bySvc[s]
		sort.Strings(ops)
		out = append(out, fmt.Sprintf("%-*s  %s", width, s, strings.Join(ops, ", ")))
	}
	return out
}

func totalCalls(calls map[string]int) int {
	t := 0
	for _, n := range calls {
		t += n
	}
	return t
}

func roundDuration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

func dateOrNever(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func dateOrNone(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func enabledWord(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// short abbreviates a version ID for one-line messages.
func short(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}
