public enum DemoKitVersion { public static let current = "0.1.0" }
