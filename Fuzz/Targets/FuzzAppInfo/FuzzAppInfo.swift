// appinfo.ini of a PortableApps.com application (UTF-8, or UTF-16 with a byte order mark).
import Foundation

@testable import DemoKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    if let info = try? PortableAppInfo.parse(data, file: "appinfo.ini") { _ = info.version }
    return 0
}
