resource "aws_bedrockagentcore_agent_runtime" "mcp" {
  agent_runtime_name = "mcp_server"
  role_arn           = aws_iam_role.runtime.arn

  agent_runtime_artifact {
    container_configuration {
      container_uri = "${aws_ecr_repository.mcp.repository_url}:v1.0"
    }
  }

  authorizer_configuration {
    custom_jwt_authorizer {
      discovery_url  = "https://accounts.google.com/.well-known/openid-configuration"
      allowed_scopes = ["openid", "email"]
    }
  }

  network_configuration {
    network_mode = "PUBLIC"
  }
}
