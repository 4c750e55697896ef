// Package bench holds the benchmarks `make bench` reports for the rotation
// function and the provider. Each benchmark starts its own in-process AWS
// emulator (internal/awsemu), works in its own temp dirs and cleans up.
//
// BenchmarkRotation runs one full rotation (RotateSecret: createSecret,
// setSecret, testSecret, finishSecret, each a cold bootstrap process as on
// Lambda) of a generic secret with the real rotation function from the
// embedded zip, set up as the provider sets it up (least-privilege role,
// provided.al2023, invoke permission scoped to the secret). It reports,
// read from the function's REPORT log lines in CloudWatch Logs:
//
//	ms/invocation        init + handler wall time of one invocation (mean)
//	p50-ms/invocation    the same, median (the first invocation also unpacks the zip)
//	init-ms/invocation   the cold-start part of it (mean)
//	peak-RSS-MB          the largest "Max Memory Used" of any invocation
//	sm-calls/rotation    Secrets Manager API calls per rotation, excluding the
//	                     RotateSecret call itself (goal <= 7; AWS's template makes 11)
//	invocations/rotation Lambda invocations per rotation (4)
//
// The arm64 sub-benchmark runs the function under qemu-user-static, so its
// times and RSS include the emulation. The zip sizes (goal < 10 MB) are
// reported by BenchmarkBundle in internal/lambdabundle, not here.
//
// BenchmarkProvider drives OpenTofu against the provider binary (built with
// `go build` from the module root and started with -debug as a child
// process, so its own peak RSS is read from /proc/PID/status VmHWM) and a
// configuration of N
// rotator_rotated_secret resources (x86_64, rotation with
// rotate_immediately = false, so each create runs testSecret once). Each
// phase (apply, refresh, plan) gets its own provider process. Per N:
//
//	calls/create   AWS API calls of `tofu apply` per secret (the rotation
//	               function's own calls during testSecret included)
//	calls/refresh  AWS API calls of `tofu plan -refresh-only` per secret (goal <= 5;
//	               the 8-resource AWS-provider setup makes 14)
//	calls/plan     AWS API calls of `tofu plan` per secret
//	apply-s, refresh-s, plan-s  wall time of each command for all N secrets
//	apply-RSS-MB, refresh-RSS-MB, plan-RSS-MB  peak RSS of each phase's provider process
//
// The call counts leave out the provider's once-per-command credential
// check (sts:GetCallerIdentity); the logged breakdown shows it. A table of
// every size is logged by the last size's sub-benchmark.
//
// N=1 always runs; N=100 and N=500 run only with ROTATOR_BENCH_SCALE=full;
// ROTATOR_BENCH_SIZES=1,20,50 picks other sizes (for a busy machine). The
// benchmark fails when a goal is missed: more than 5 calls per refresh, a
// non-empty plan after apply, or an apply peak RSS above twice the first
// size's.
// ROTATOR_BENCH_PROVIDER=/path/to/terraform-provider-rotator benchmarks that
// binary instead of building one; ROTATOR_BENCH_PROVIDER_STDERR=FILE appends
// every provider process's stderr to FILE (with e.g. GODEBUG=gctrace=1).
// ROTATOR_BENCH_PPROF=DIR builds the provider with -tags rotatorpprof
// (pprof_hook.go): each provider process writes DIR/heap-PID.pprof at its
// live heap's high, and, sent SIGUSR1 after each phase, what is still live
// once idle (heap-PID-end.pprof) and its goroutines; read them with
// `go tool pprof -top -sample_index=inuse_space`. ROTATOR_BENCH_MANAGED=1
// lets OpenTofu start the provider itself, as users run it (dev_overrides;
// peak RSS polled from /proc over every provider process of a command),
// instead of attaching to one -debug process.
// OpenTofu is found through $TOFU, $TF_ACC_TERRAFORM_PATH,
// ~/.cache/rotator-tools/tofu-1.12.6 or PATH; when it is missing the
// benchmark is skipped, except under CI=true where it fails.
//
// The arm64 rotation likewise needs qemu-aarch64-static on an amd64 host.
//
// Run them (CI runs the first; `make bench` the second, about 5 minutes on
// two cores):
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/bench/
//	ROTATOR_BENCH_SCALE=full go test -run '^$' -bench . -benchtime 1x -timeout 60m ./internal/bench/
package bench
