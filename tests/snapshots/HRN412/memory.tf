resource "aws_bedrockagentcore_memory" "support" {
  name                  = "support_memory"
  event_expiry_duration = 60
}

resource "aws_bedrockagentcore_memory" "short" {
  name                  = "short_memory"
  event_expiry_duration = 7
}
