import Foundation
import VecheCLI

exit(CLI.run(Array(CommandLine.arguments.dropFirst())))
