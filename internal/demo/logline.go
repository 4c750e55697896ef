package demo

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// lambdaPlatformPrefixes start the lines the Lambda runtime itself prints
// around each invocation; the report leaves them out.
var lambdaPlatformPrefixes = []string{"START RequestId:", "END RequestId:", "REPORT RequestId:", "INIT_START "}

// CompactLogLine turns one line the rotation function printed into a short
// readable line. JSON log records become "[step] message (version v…)",
// with the level when it is not INFO and the error when there is one; the
// runtime's START/END/REPORT lines are dropped (ok false).
func CompactLogLine(line string) (string, bool) {
	line = strings.TrimRight(line, "\r\n")
	if strings.TrimSpace(line) == "" {
		return "", false
	}
	for _, p := range lambdaPlatformPrefixes {
		if strings.HasPrefix(line, p) {
			return "", false
		}
	}
	var rec map[string]any
	if !strings.HasPrefix(strings.TrimSpace(line), "{") || json.Unmarshal([]byte(line), &rec) != nil {
		return line, true
	}
	msg, _ := rec["msg"].(string)
	if msg == "" {
		return line, true
	}
	var b strings.Builder
	if step, _ := rec["step"].(string); step != "" {
		fmt.Fprintf(&b, "[%s] ", step)
	}
	if level, _ := rec["level"].(string); level != "" && level != "INFO" {
		fmt.Fprintf(&b, "%s: ", level)
	}
	b.WriteString(msg)
	if e, _ := rec["error"].(string); e != "" {
		fmt.Fprintf(&b, ": %s", e)
	}
	if v, _ := rec["version_id"].(string); v != "" {
		fmt.Fprintf(&b, " (version %s)", short(v))
	}
	return b.String(), true
}

// compactLog applies CompactLogLine to every line, ordered by time.
func compactLog(lines []LogLine) []LogLine {
	out := make([]LogLine, 0, len(lines))
	for _, l := range lines {
		if msg, ok := CompactLogLine(l.Message); ok {
			out = append(out, LogLine{Time: l.Time, Message: msg})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}
