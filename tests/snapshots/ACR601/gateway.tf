resource "aws_bedrockagentcore_gateway" "weather" {
  name            = "agentcore-gateway"
  description     = "Weather AgentCore Gateway"
  role_arn        = aws_iam_role.gateway_role.arn
  authorizer_type = "NONE"
  protocol_type   = "MCP"
}
