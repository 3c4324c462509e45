resource "aws_vpc_endpoint" "agentcore" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "com.amazonaws.us-east-1.bedrock-agentcore"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "bedrock-agentcore:*", Resource = "*" }]
  })
}
