# Credentials and region come from the standard AWS settings
# (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_REGION,
# AWS_ENDPOINT_URL, ~/.aws/config), exactly as for the AWS provider.
provider "rotator" {
  region = "us-east-1"

  default_tags {
    tags = {
      managed-by = "terraform"
    }
  }
}
