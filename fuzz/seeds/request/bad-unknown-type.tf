resource "aws_autoscaling_grup" "web" {
  name = "web"
}
