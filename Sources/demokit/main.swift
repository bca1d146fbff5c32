import DemoKitCLI

await DemoKitCommand.main()
