public enum KubeClientPlaceholder {}
