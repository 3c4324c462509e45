resource "aws_iam_role" "harness" {
  name = "support-harness"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "bedrock-agentcore.amazonaws.com" },
                   Action = "sts:AssumeRole", Condition = { StringEquals = { "aws:SourceAccount" = "111122223333" } } }]
  })
}

resource "aws_iam_role_policy_attachment" "power" {
  role       = aws_iam_role.harness.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}
