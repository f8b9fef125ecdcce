/// An error whose text is meant for the operator: what is wrong and what to do.
///
/// Every module's error enum conforms in exactly one place, next to its
/// cases, and front ends (CLI, TUI) call `operatorMessage(for:)` instead of
/// formatting errors themselves.
public protocol OperatorFacingError: Error {
    var operatorMessage: String { get }
}

/// The one-line text for any error reaching a front end.
public func operatorMessage(for error: any Error) -> String {
    if let facing = error as? any OperatorFacingError { return facing.operatorMessage }
    return "unexpected error: \(error)"
}
