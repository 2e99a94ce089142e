# A launch configuration with an instance profile and an encrypted root volume, and the group
# that uses it.
resource "aws_launch_configuration" "legacy" {
  name_prefix          = "legacy-"
  image_id             = data.aws_ami.ubuntu.id
  instance_type        = "t3.micro"
  iam_instance_profile = "legacy-profile"

  root_block_device {
    encrypted = true
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_autoscaling_group" "legacy" {
  name                 = "legacy-asg"
  launch_configuration = aws_launch_configuration.legacy.name
  min_size             = 1
  max_size             = 2
}
