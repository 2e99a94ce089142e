resource "aws_autoscaling_group" "workers" {
  name               = "workers"
  availability_zones = ["us-east-1a"]
  max_size           = 3
  min_size           = 1

  launch_template {
    name = "workers-template"
  }
}

resource "aws_autoscaling_lifecycle_hook" "drain" {
  name                    = "drain"
  autoscaling_group_name  = aws_autoscaling_group.workers.name
  default_result          = "CONTINUE"
  heartbeat_timeout       = 2000
  lifecycle_transition    = "autoscaling:EC2_INSTANCE_TERMINATING"
  notification_target_arn = aws_sqs_queue.drain.arn
  role_arn                = aws_iam_role.hook.arn
}
