# The generated module's outputs, passed through.

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.service.cluster_name
}

output "cluster_endpoint" {
  description = "Endpoint of the EKS API server."
  value       = module.service.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 certificate data of the cluster's CA."
  value       = module.service.cluster_certificate_authority_data
}

output "oidc_provider_arn" {
  description = "ARN of the cluster's OIDC provider, for IRSA roles."
  value       = module.service.oidc_provider_arn
}

output "node_group_names" {
  description = "EKS managed node group name per availability zone."
  value       = module.service.node_group_names
}

output "node_group_autoscaling_group_names" {
  description = "Auto Scaling group names per availability zone."
  value       = module.service.node_group_autoscaling_group_names
}

output "node_security_group_id" {
  description = "Security group of the nodes and pods."
  value       = module.service.node_security_group_id
}

output "nlb_arn" {
  description = "ARN of the network load balancer."
  value       = module.service.nlb_arn
}

output "nlb_dns_name" {
  description = "DNS name of the network load balancer."
  value       = module.service.nlb_dns_name
}

output "nlb_zone_id" {
  description = "Route 53 hosted zone ID of the load balancer, for an alias record."
  value       = module.service.nlb_zone_id
}

output "target_group_arn" {
  description = "ARN of the target group the pods are bound to (TargetGroupBinding)."
  value       = module.service.target_group_arn
}

output "cluster_autoscaler_role_arn" {
  description = "IAM role to annotate the cluster autoscaler's ServiceAccount with; null when the config disables the autoscaler."
  value       = module.service.cluster_autoscaler_role_arn
}
