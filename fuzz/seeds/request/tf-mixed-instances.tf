resource "aws_launch_template" "spot" {
  name_prefix = "spot"
  image_id    = "ami-0abcdef1234567890"
}

resource "aws_autoscaling_group" "spot" {
  name                    = "spot-asg"
  availability_zones      = ["us-east-1a"]
  desired_capacity        = 1
  max_size                = 1
  min_size                = 1
  service_linked_role_arn = "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_spot"

  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.spot.id
      }

      override {
        instance_type = "c5.large"
      }
    }
  }
}
