resource "rotator_rotated_secret" "app_token" {
  name            = "app/token"
  secret_template = jsonencode({ client_id = "app" })

  rotation {
    automatically_after_days = 30
  }
}

# Rotate the token now (Terraform >= 1.14):
#
#   terraform apply -invoke=action.rotator_rotate.app_token
#
# The run waits for the rotation and prints the new AWSCURRENT version ID,
# or fails naming the step that failed and quoting the function's error.
action "rotator_rotate" "app_token" {
  config {
    secret_id = rotator_rotated_secret.app_token.arn
  }
}
