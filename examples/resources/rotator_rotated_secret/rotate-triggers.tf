# A signing key rotated on demand: change rotate_triggers (here, with the
# release that needs a fresh key) and the next apply rotates it once and
# waits for the outcome. The postcondition fails the plan when the key is
# older than its schedule allows, or a rotation is stuck.
variable "signing_key_generation" {
  type    = string
  default = "2026-11"
}

resource "rotator_rotated_secret" "signing_key" {
  name = "payments/signing-key"

  rotation {
    automatically_after_days = 90
    rotate_triggers = {
      generation = var.signing_key_generation
    }
  }

  lifecycle {
    postcondition {
      condition = timecmp(
        timeadd(self.current_version_created_date, "${(self.rotation.automatically_after_days + 1) * 24}h"),
        plantimestamp(),
      ) > 0 && !self.rotation_stuck
      error_message = "payments/signing-key is older than its schedule allows, or its rotation is stuck: look at the log group ${self.log_group_name}."
    }
  }
}
