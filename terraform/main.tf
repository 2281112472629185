# Root module: the hand-written entry point that `terraform plan/apply` runs.
# It configures the aws provider and the state backend, and calls the module
# glc generates from the config (../generated/terraform; regenerate it with
# `glc build examples/agent-foundation`, never edit it). Everything the config
# cannot know comes in through variables (terraform.tfvars.example).

terraform {
  required_version = ">= 1.5.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.31"
    }
  }

  # Keep the state remote and locked in anything shared. Fill in and uncomment,
  # then `terraform init -migrate-state`:
  #
  # backend "s3" {
  #   bucket         = "example-terraform-state"
  #   key            = "greenlang/agent-foundation/terraform.tfstate"
  #   region         = "us-east-1"
  #   dynamodb_table = "example-terraform-locks"
  #   encrypt        = true
  # }
}

provider "aws" {
  # Must be the config's cluster.region; the generated module checks it.
  region = var.region
}

module "service" {
  source = "../generated/terraform"

  vpc_id             = var.vpc_id
  private_subnet_ids = var.private_subnet_ids
  public_subnet_ids  = var.public_subnet_ids
  certificate_arn    = var.certificate_arn

  cluster_endpoint_public_access       = var.cluster_endpoint_public_access
  cluster_endpoint_public_access_cidrs = var.cluster_endpoint_public_access_cidrs

  access_logs_bucket = var.access_logs_bucket
  tags               = var.tags
}
