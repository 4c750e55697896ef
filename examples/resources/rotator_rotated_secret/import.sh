# Import by the secret's name or ARN. Only secrets created by this provider
# (tagged rotator:managed-by and with their rotation function) can be imported.
terraform import rotator_rotated_secret.api_key payments/api-key
