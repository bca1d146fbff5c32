import DemoKitCLI

await DemoKitCommand.start()
