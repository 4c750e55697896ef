resource "rotator_rotated_secret" "app_db" {
  name            = "app/db"
  secret_template = jsonencode({ username = "app" })

  rotation {
    automatically_after_days = 30
  }
}

# The current password of the rotated secret, read at each plan and apply
# and never stored in state or plan.
ephemeral "rotator_secret_value" "app_db" {
  secret_id = rotator_rotated_secret.app_db.arn
  field     = "password"
}

# A write-only argument of another resource takes it: a second rotated
# secret that starts from the same password.
resource "rotator_rotated_secret" "app_db_reporting" {
  name                     = "app/db-reporting"
  secret_template          = jsonencode({ username = "app" })
  initial_value_wo         = ephemeral.rotator_secret_value.app_db.value
  initial_value_wo_version = 1

  rotation {
    automatically_after_days = 30
  }
}
