# A token that applications in three regions read from their own region.
# Rotation runs in the provider's region (the primary); Secrets Manager
# copies every new value to the replicas.
resource "rotator_rotated_secret" "partner_token" {
  name = "payments/partner-token"

  rotation {
    automatically_after_days = 30
  }

  # Each replica is read-only and encrypted with a key of its own region
  # (default: that region's aws/secretsmanager key).
  replica {
    region = "us-west-2"
  }

  replica {
    region = "eu-west-1"
  }
}

output "partner_token_replicas" {
  # Region, status (InSync, InProgress or Failed) and status message of each replica.
  value = rotator_rotated_secret.partner_token.replica
}
