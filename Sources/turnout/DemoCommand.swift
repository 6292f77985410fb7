enum DemoCommand { static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 { 1 } }
