# Modelled on the Terraform AWS provider's aws_autoscaling_group examples: a launch template
# with an instance profile, launch-time tags, an SSM parameter for the AMI and a KMS key, and
# the group (with tags, a lifecycle hook and a warm pool) that launches from it.
resource "aws_launch_template" "app" {
  name_prefix   = "app-"
  image_id      = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
  instance_type = "t3.micro"

  iam_instance_profile {
    name = aws_iam_instance_profile.app.name
  }

  tag_specifications {
    resource_type = "instance"
    tags = {
      Name = "app"
    }
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 20
      encrypted   = true
      kms_key_id  = aws_kms_key.ebs.arn
    }
  }
}

resource "aws_autoscaling_group" "app" {
  name                = "app-asg"
  max_size            = 4
  min_size            = 1
  vpc_zone_identifier = var.subnet_ids

  launch_template {
    id      = aws_launch_template.app.id
    version = aws_launch_template.app.latest_version
  }

  initial_lifecycle_hook {
    name                    = "launching"
    lifecycle_transition    = "autoscaling:EC2_INSTANCE_LAUNCHING"
    notification_target_arn = "arn:aws:sqs:us-east-1:444455556666:queue1"
    role_arn                = "arn:aws:iam::444455556666:role/hook-role"
  }

  tag {
    key                 = "team"
    value               = "web"
    propagate_at_launch = true
  }

  tag {
    key                 = "env"
    value               = "prod"
    propagate_at_launch = true
  }

  warm_pool {
    pool_state                  = "Hibernated"
    min_size                    = 1
    max_group_prepared_capacity = 2
  }
}
