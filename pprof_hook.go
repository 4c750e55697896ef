//go:build rotatorpprof

package main

// Built only with -tags rotatorpprof (internal/bench builds it so when
// ROTATOR_BENCH_PPROF is set): the provider samples its heap finely and
// writes a heap profile to $ROTATOR_PPROF_DIR each time its live heap (as
// the last GC measured it) reaches a new high, so the last heap-PID.pprof
// of a process is the profile at its peak; heap-PID.pprof.txt has the
// runtime's numbers and the goroutine count at that moment. Release builds
// carry none of it.

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"
	"time"
)

func init() {
	dir := os.Getenv("ROTATOR_PPROF_DIR")
	if dir == "" {
		return
	}
	runtime.MemProfileRate = 32 << 10
	// SIGUSR1: collect garbage, then write what is still live to
	// heap-PID-end.pprof (the bench sends it after each command, when no
	// request is in flight: whatever is left is retained).
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		for range usr1 {
			runtime.GC()
			name := filepath.Join(dir, fmt.Sprintf("heap-%d-end.pprof", os.Getpid()))
			if f, err := os.Create(name); err == nil {
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				_ = f.Close()
			}
			if f, err := os.Create(filepath.Join(dir, fmt.Sprintf("goroutines-%d-end.txt", os.Getpid()))); err == nil {
				_ = pprof.Lookup("goroutine").WriteTo(f, 1)
				_ = f.Close()
			}
			// Twice more: what sync.Pool victim caches or finalizers kept
			// through the first collection is gone now.
			runtime.GC()
			runtime.GC()
			if f, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap-%d-end3.pprof", os.Getpid()))); err == nil {
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				_ = f.Close()
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			_ = os.WriteFile(name+".txt", []byte(fmt.Sprintf("after GC: HeapAlloc %d MB, HeapInuse %d MB, goroutines %d\n",
				ms.HeapAlloc>>20, ms.HeapInuse>>20, runtime.NumGoroutine())), 0o644)
		}
	}()
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var high uint64
		var maxGoroutines int
		var ms runtime.MemStats
		for range time.Tick(100 * time.Millisecond) {
			if g := runtime.NumGoroutine(); g > maxGoroutines {
				maxGoroutines = g
			}
			metrics.Read(sample)
			live := sample[0].Value.Uint64()
			if live < high+high/50 {
				continue
			}
			high = live
			runtime.ReadMemStats(&ms)
			name := filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", os.Getpid()))
			f, err := os.Create(name)
			if err != nil {
				continue
			}
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			_ = f.Close()
			_ = os.WriteFile(name+".txt", []byte(fmt.Sprintf("live %d MB, HeapInuse %d MB, HeapSys %d MB, Sys %d MB, StackInuse %d MB, goroutines %d (max so far %d), NumGC %d\n",
				live>>20, ms.HeapInuse>>20, ms.HeapSys>>20, ms.Sys>>20, ms.StackInuse>>20, runtime.NumGoroutine(), maxGoroutines, ms.NumGC)), 0o644)
		}
	}()
}
