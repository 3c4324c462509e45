resource "aws_bedrockagentcore_memory" "support" {
  name                  = "support_memory"
  event_expiry_duration = 90
}
