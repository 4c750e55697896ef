# The current password of a rotated database secret, read at each plan and
# apply and never stored in state or plan.
ephemeral "rotator_secret_value" "app_db" {
  secret_id = rotator_rotated_secret.app_db.arn
  field     = "password"
}

# In a provider configuration: the PostgreSQL provider logs in with it.
provider "postgresql" {
  host     = "db.internal.example.com"
  username = "app"
  password = ephemeral.rotator_secret_value.app_db.value
}

# In a write-only argument of another resource: a second rotated secret
# that starts from the same password.
resource "rotator_rotated_secret" "app_db_replica" {
  name                     = "app/db-replica"
  secret_template          = jsonencode({ username = "app" })
  initial_value_wo         = ephemeral.rotator_secret_value.app_db.value
  initial_value_wo_version = 1

  rotation {
    automatically_after_days = 30
  }
}
