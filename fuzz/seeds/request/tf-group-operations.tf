# Scaling, schedules and notifications for a group managed elsewhere.
resource "aws_autoscaling_policy" "cpu" {
  name                   = "cpu-target"
  autoscaling_group_name = "existing-asg"
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
    target_value = 40.0
  }
}

resource "aws_autoscaling_schedule" "night" {
  scheduled_action_name  = "night"
  min_size               = 0
  max_size               = 1
  desired_capacity       = 0
  recurrence             = "0 20 * * *"
  autoscaling_group_name = "existing-asg"
}

resource "aws_autoscaling_notification" "alerts" {
  group_names = ["existing-asg"]

  notifications = [
    "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
  ]

  topic_arn = aws_sns_topic.alerts.arn
}
