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
// process, so its peak RSS is read from the kernel) and a configuration of N
// rotator_rotated_secret resources (x86_64, rotation with
// rotate_immediately = false). It reports per N:
//
//	calls/create         AWS API calls of `tofu apply` per secret (the
//	                     function's own calls during testSecret included)
//	calls/refresh        AWS API calls of `tofu plan -refresh-only` per secret (goal <= 5;
//	                     the 8-resource AWS-provider setup makes 14)
//	apply-s, plan-s, refresh-s  wall time of each command for all N secrets
//	provider-peak-RSS-MB the provider process's maximum resident set
//
// N=1 always runs; N=100 and N=500 run only with ROTATOR_BENCH_SCALE=full.
// OpenTofu is found through $TOFU, $TF_ACC_TERRAFORM_PATH,
// ~/.cache/rotator-tools/tofu-1.12.6 or PATH; when it is missing the
// benchmark is skipped, except under CI=true where it fails.
//
// Run them with:
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/bench/
package bench
