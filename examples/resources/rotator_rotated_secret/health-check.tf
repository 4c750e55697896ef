# Watch the rotation of the API key above: a `check` reports on every plan
# and apply (and in HCP Terraform's health assessments) when the current
# value is older than its 30-day schedule allows (plus a day for the
# rotation window), or when a rotation is stuck. A failed check is a
# warning; see rotate-triggers.tf for a postcondition that fails the plan.
check "api_key_rotation" {
  assert {
    condition = timecmp(
      timeadd(rotator_rotated_secret.api_key.current_version_created_date, "${(30 + 1) * 24}h"),
      plantimestamp(),
    ) > 0
    error_message = "payments/api-key has not rotated for more than 31 days: look at the log group ${rotator_rotated_secret.api_key.log_group_name}."
  }

  assert {
    condition     = !rotator_rotated_secret.api_key.rotation_stuck
    error_message = "A rotation of payments/api-key is stuck (AWSPENDING left behind): look at the log group ${rotator_rotated_secret.api_key.log_group_name}."
  }
}
