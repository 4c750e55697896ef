//go:build tools

package awsemu

// This file is never built. It keeps github.com/aws/aws-sdk-go (v1) in
// go.mod: the emulator's tests read AWS's published API models
// (models/apis/.../api-2.json) from that module's directory as data
// (modelcheck.go); no code of it is linked.
import _ "github.com/aws/aws-sdk-go/aws"
