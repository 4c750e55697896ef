package awsemu

// admin.go serves the admin endpoints under /_emu/ (no SigV4). The package
// documentation (doc.go) lists every endpoint.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"
)

// serveAdmin dispatches /_emu/ requests.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + r.URL.Path
	if s.serveEventsAdmin(w, r, route) {
		return
	}
	switch route {
	case "GET /_emu/health":
		adminJSON(w, http.StatusOK, map[string]any{"status": "ok", "account_id": s.opts.AccountID, "region": s.opts.Region})
	case "GET /_emu/clock":
		adminJSON(w, http.StatusOK, map[string]any{"now": s.now()})
	case "POST /_emu/clock/advance":
		var in struct {
			Duration string `json:"duration"`
		}
		if !adminDecode(w, r, &in) {
			return
		}
		d, err := time.ParseDuration(in.Duration)
		if err != nil || d < 0 {
			adminJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("duration %q: want a non-negative Go duration such as \"720h\"", in.Duration)})
			return
		}
		adminJSON(w, http.StatusOK, s.AdvanceClock(r.Context(), d))
	case "GET /_emu/rotations":
		list := []RotationRecord{}
		if s.sm != nil {
			list = s.sm.rotationHistory()
		}
		adminJSON(w, http.StatusOK, list)
	case "GET /_emu/secretsmanager/options":
		adminJSON(w, http.StatusOK, s.SecretsManagerOptions())
	case "POST /_emu/secretsmanager/options":
		var o SecretsManagerOptions
		if !adminDecode(w, r, &o) {
			return
		}
		s.SetSecretsManagerOptions(o)
		adminJSON(w, http.StatusOK, s.SecretsManagerOptions())
	case "GET /_emu/calls":
		adminJSON(w, http.StatusOK, s.Calls())
	case "POST /_emu/calls/reset", "DELETE /_emu/calls":
		s.ResetCalls()
		adminJSON(w, http.StatusOK, map[string]any{})
	case "GET /_emu/faults":
		s.statsMu.Lock()
		list := make([]Fault, 0, len(s.faults))
		for _, f := range s.faults {
			list = append(list, *f)
		}
		s.statsMu.Unlock()
		adminJSON(w, http.StatusOK, list)
	case "POST /_emu/faults":
		var f Fault
		if !adminDecode(w, r, &f) {
			return
		}
		if err := s.InjectFault(f); err != nil {
			adminJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		adminJSON(w, http.StatusOK, map[string]any{})
	case "DELETE /_emu/faults":
		s.ClearFaults()
		adminJSON(w, http.StatusOK, map[string]any{})
	case "GET /_emu/iam/propagation-delay":
		adminJSON(w, http.StatusOK, map[string]string{"delay": time.Duration(s.iamDelay.Load()).String()})
	case "POST /_emu/iam/propagation-delay":
		var in struct {
			Delay string `json:"delay"`
		}
		if !adminDecode(w, r, &in) {
			return
		}
		d, err := time.ParseDuration(in.Delay)
		if err != nil || d < 0 {
			adminJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("delay %q: want a non-negative Go duration such as \"3s\"", in.Delay)})
			return
		}
		s.SetIAMPropagationDelay(d)
		adminJSON(w, http.StatusOK, map[string]string{"delay": d.String()})
	default:
		adminJSON(w, http.StatusNotFound, map[string]string{"error": "unknown admin endpoint " + route + "; see the awsemu package documentation"})
	}
}

// AdvanceClock moves the emulator clock forward by d, purges secrets and
// keys whose deletion date passed, and runs every scheduled rotation that
// is due (NextRotationDate <= now) synchronously, once per secret.
func (s *Server) AdvanceClock(ctx context.Context, d time.Duration) AdvanceResult {
	s.advanceMu.Lock()
	defer s.advanceMu.Unlock()
	s.clockMu.Lock()
	s.offset += d
	s.clockMu.Unlock()
	s.dirty.Store(true)
	now := s.now()
	res := AdvanceResult{Now: now, Rotations: []RotationResult{}}
	if s.kms != nil {
		res.PurgedKeys = s.kms.purge(now)
	}
	if s.sm != nil {
		res.PurgedSecrets = s.sm.purge(now)
		res.Rotations = append(res.Rotations, s.sm.runDueRotations(ctx)...)
	}
	sort.Slice(res.Rotations, func(i, j int) bool { return res.Rotations[i].SecretARN < res.Rotations[j].SecretARN })
	return res
}

func adminDecode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(b) > 0 {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		adminJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON body: " + err.Error()})
		return false
	}
	return true
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
