# Attaching a VPC Lattice target group to an existing group.
resource "aws_autoscaling_traffic_source_attachment" "lattice" {
  autoscaling_group_name = "my-asg"

  traffic_source {
    identifier = aws_vpclattice_target_group.web.arn
    type       = "vpc-lattice"
  }
}
