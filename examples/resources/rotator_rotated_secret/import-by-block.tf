# Terraform/OpenTofu >= 1.5: import with an import block, by name or ARN.
import {
  to = rotator_rotated_secret.api_key
  id = "payments/api-key"
}
