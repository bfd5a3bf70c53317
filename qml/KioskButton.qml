import QtQuick

// A button for a screen people touch standing up, often in passing: the item is the area
// that takes the tap, and the visible face sits centred inside it, so the target can be
// bigger than what is drawn (a finger aimed at a wall-mounted screen lands a little off).
// Drawn here rather than with QtQuick.Controls so it follows Theme without a style.
Item {
    id: button

    property string text
    // Filled buttons are for the one thing a screen wants done; outlined ones are ways out.
    property bool filled: false
    property color faceColor: Theme.endSession
    property color pressedFaceColor: Theme.endSessionPressed
    property color textColor: Theme.textPrimary
    property color borderColor: Theme.textMuted
    property real pixelSize: 24
    property real faceHeight: Math.round(pixelSize * 2.4)
    // How far the tap target reaches beyond the face, on every side.
    property real touchMargin: Math.round(pixelSize * 0.6)

    readonly property bool pressed: tap.pressed
    readonly property alias face: face

    signal clicked()

    implicitWidth: face.width + 2 * touchMargin
    implicitHeight: faceHeight + 2 * touchMargin

    Rectangle {
        id: face
        anchors.centerIn: parent
        width: Math.round(label.implicitWidth + button.faceHeight)
        height: button.faceHeight
        radius: height / 2
        antialiasing: true
        color: button.filled ? (button.pressed ? button.pressedFaceColor : button.faceColor)
                             : (button.pressed ? Theme.panelBorder : "transparent")
        border.width: button.filled ? 0 : Math.max(2, Math.round(button.pixelSize * 0.09))
        border.color: button.borderColor

        Text {
            id: label
            anchors.centerIn: parent
            text: button.text
            color: button.textColor
            font.pixelSize: Math.round(button.pixelSize)
            font.weight: Font.DemiBold
            font.letterSpacing: button.pixelSize * 0.01
        }
    }

    TapHandler {
        id: tap
        // A tap that starts on the button and ends a little beside it still counts: on a
        // large touch screen the finger drifts.
        gesturePolicy: TapHandler.ReleaseWithinBounds
        onTapped: button.clicked()
    }

    Accessible.role: Accessible.Button
    Accessible.name: text
    Accessible.onPressAction: clicked()
}
