# Get told when a rotation fails: Secrets Manager's RotationFailed and
# RotationAbandoned events for this secret go to an SNS topic you own (for
# example aws_sns_topic.rotation_alerts.arn; subscribe your team to it).
# The provider adds one statement to the topic's policy so that EventBridge
# may publish for this secret's rule, and removes only that statement again.
variable "rotation_alerts_topic_arn" {
  type        = string
  description = "ARN of the SNS topic that receives rotation failures."
}

resource "rotator_rotated_secret" "webhook" {
  name = "payments/webhook-signing-key"

  rotation {
    automatically_after_days = 30
  }

  alerts {
    sns_topic_arn = var.rotation_alerts_topic_arn
  }
}

output "rotation_alert_rule_arn" {
  value = rotator_rotated_secret.webhook.alert_rule_arn
}
