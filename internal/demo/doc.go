// Package demo is `make demo`: it shows the provider doing its main job on a
// laptop, with no AWS account.
//
// Run builds the provider and the rotation function, picks the CLI
// (scripts/find-cli.sh: a Terraform or OpenTofu >= 1.11 on the PATH, else
// OpenTofu built from its Go module and cached) and says which, starts the
// AWS emulator (internal/awsemu) in-process on loopback, writes a
// dev_overrides CLI configuration into a fresh temp dir, applies
// examples/demo (plus a PostgreSQL single-user secret when a PostgreSQL
// server can be started; under CI=true it must start), triggers a rotation
// with RotateSecret, moves the emulator clock past the schedule to show a
// scheduled rotation, and prints a short report: version IDs and their
// staging labels before and after, last and next rotation dates, the
// rotation function's own log lines and the API calls made. It never prints
// a secret value: the report is checked against every secret value read
// back from the emulator before it is printed (Redactor), and so are the
// state file and the CLI output.
//
// Every run uses a new temp dir, destroys what it applied and stops the
// emulator and database it started, so it can run any number of times.
//
// CheckExamples (cmd/examplecheck) applies and destroys the examples with
// several CLIs (OpenTofu, a Terraform >= 1.11 on the PATH, and Terraform
// 1.5.7 for those that use no write-only attribute) against the emulator
// the same way.
package demo
