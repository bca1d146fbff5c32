import DemoKitCLI

DemoKitCommand.main()
