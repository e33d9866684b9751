public enum KubeYAMLPlaceholder {}
