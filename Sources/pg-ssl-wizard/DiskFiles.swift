import Executor
import HBA

enum DiskFileSourceProvider {
    static func make() -> any FileSource { DiskFileSource() }
}
