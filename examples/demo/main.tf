# Demo: a generic rotated secret against the local emulator
# (go run ./internal/awsemu/cmd/awsemu --addr 127.0.0.1:4566).
# Run with AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=test
# AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1.
terraform {
  required_providers {
    rotator = {
      source = "rotatorhq/rotator"
    }
  }
}

provider "rotator" {}

resource "rotator_rotated_secret" "demo" {
  name                    = "demo/app-token"
  description             = "Demo token rotated by the built-in function"
  recovery_window_in_days = 0

  secret_template = jsonencode({
    username = "demo"
  })

  rotation {
    automatically_after_days = 1
  }

  function {
    # Native on x86_64 hosts; arm64 (the default) runs under qemu in the emulator.
    architecture = "x86_64"
  }
}

output "secret_arn" {
  value = rotator_rotated_secret.demo.arn
}

output "function_name" {
  value = rotator_rotated_secret.demo.function_name
}

output "next_rotation_date" {
  value = rotator_rotated_secret.demo.next_rotation_date
}
