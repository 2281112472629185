# The root module's inputs: the provider's region plus every input of the
# generated module, passed through unchanged (its variables.tf validates them).

variable "region" {
  description = "AWS region of the provider. Must be the config's cluster.region (us-east-1 for examples/agent-foundation)."
  type        = string
  default     = "us-east-1"
}

variable "vpc_id" {
  description = "ID of the VPC the cluster, its nodes and the NLB live in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnet per availability zone, keyed by zone name (us-east-1a = \"subnet-...\"); one for every zone of the config."
  type        = map(string)
}

variable "public_subnet_ids" {
  description = "Public subnet per availability zone for an internet-facing NLB, keyed by zone name; unused when the config's load balancer is internal."
  type        = map(string)
  default     = {}
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate (in the cluster's region) for the NLB's TLS listener on :443."
  type        = string
}

variable "cluster_endpoint_public_access" {
  description = "Whether the EKS API endpoint is reachable from the internet. Off by default."
  type        = bool
  default     = false
}

variable "cluster_endpoint_public_access_cidrs" {
  description = "CIDR blocks allowed to reach the public EKS API endpoint; required when cluster_endpoint_public_access is true, and never 0.0.0.0/0."
  type        = list(string)
  default     = []
}

variable "access_logs_bucket" {
  description = "S3 bucket for the NLB's access logs; null leaves them off."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
