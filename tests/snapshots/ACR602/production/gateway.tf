resource "aws_bedrockagentcore_gateway" "router" {
  name            = "router"
  role_arn        = aws_iam_role.gateway.arn
  authorizer_type = "AWS_IAM"
  protocol_type   = "MCP"
  kms_key_arn     = aws_kms_key.agent.arn

  policy_engine_configuration {
    arn  = aws_bedrockagentcore_policy_engine.router.arn
    mode = "LOG_ONLY" # Change to "ENFORCE" after validation
  }
}
