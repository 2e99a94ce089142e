resource "aws_autoscaling_group" "web" {
  name     = "web"
  max_size =
}
