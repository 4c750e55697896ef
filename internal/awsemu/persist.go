package awsemu

// persist.go saves and loads the emulator's state (Options.StateFile): the
// clock offset, the IAM propagation delay and each backend's snapshot.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// stateFile is the JSON document written to Options.StateFile.
type stateFile struct {
	Version             int                        `json:"version"`
	ClockOffset         time.Duration              `json:"clock_offset_ns"`
	IAMPropagationDelay time.Duration              `json:"iam_propagation_delay_ns"`
	Services            map[string]json.RawMessage `json:"services"`
}

const stateVersion = 1

// load reads the state file, if it exists.
func (s *Server) load() error {
	b, err := os.ReadFile(s.opts.StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("awsemu: read state: %w", err)
	}
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("awsemu: state file %s: %w", s.opts.StateFile, err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("awsemu: state file %s has version %d, want %d", s.opts.StateFile, st.Version, stateVersion)
	}
	s.clockMu.Lock()
	s.offset = st.ClockOffset
	s.clockMu.Unlock()
	if s.opts.IAMPropagationDelay == 0 {
		s.iamDelay.Store(int64(st.IAMPropagationDelay))
	}
	for name, raw := range st.Services {
		p := s.state[name]
		if p == nil {
			continue
		}
		if err := p.restore(raw); err != nil {
			return fmt.Errorf("awsemu: restore %s from %s: %w", name, s.opts.StateFile, err)
		}
	}
	return nil
}

// save writes the state file atomically.
func (s *Server) save() error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.dirty.Store(false)
	s.clockMu.Lock()
	st := stateFile{Version: stateVersion, ClockOffset: s.offset, Services: map[string]json.RawMessage{}}
	s.clockMu.Unlock()
	st.IAMPropagationDelay = time.Duration(s.iamDelay.Load())
	for name, p := range s.state {
		b, err := p.snapshot()
		if err != nil {
			return fmt.Errorf("awsemu: snapshot %s: %w", name, err)
		}
		st.Services[name] = b
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.opts.StateFile), ".awsemu-state-*")
	if err != nil {
		return fmt.Errorf("awsemu: save state: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("awsemu: save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), s.opts.StateFile); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("awsemu: save state: %w", err)
	}
	return nil
}

// saver writes dirty state periodically until Close.
func (s *Server) saver() {
	defer close(s.saverDone)
	t := time.NewTicker(saveInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stopSaver:
			return
		case <-t.C:
			if s.dirty.Load() {
				_ = s.save()
			}
		}
	}
}
