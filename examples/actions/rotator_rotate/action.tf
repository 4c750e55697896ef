# Rotate the database password now (Terraform >= 1.14):
#
#   terraform apply -invoke=action.rotator_rotate.app_db
#
# The run waits for the rotation and prints the new AWSCURRENT version ID,
# or fails naming the step that failed and quoting the function's error.
action "rotator_rotate" "app_db" {
  config {
    secret_id = rotator_rotated_secret.app_db.arn
    timeout   = "10m"
  }
}
