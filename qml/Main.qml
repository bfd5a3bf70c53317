import QtQuick
import QtQuick.Window

// The display's window. kioskd sets `display` (a DisplayStatus) as an initial property and
// registers the "qr" image provider before loading this file.
Window {
    id: window

    required property QtObject display

    width: 1280
    height: 720
    visible: true
    title: display.label.length > 0 ? display.label : qsTr("kioskd")
    color: Theme.backgroundBottom

    readonly property bool offline: display.state !== "standby" && display.state !== "busy"

    Rectangle {
        anchors.fill: parent
        gradient: Gradient {
            GradientStop { position: 0; color: Theme.backgroundTop }
            GradientStop { position: 1; color: Theme.backgroundBottom }
        }
    }

    // Both screens stay loaded and cross-fade, so a flapping connection doesn't rebuild
    // them; a hidden screen runs no timers. The QR code itself is dropped at once when
    // the state leaves "standby", not faded out.
    StandbyScreen {
        anchors.fill: parent
        display: window.display
        opacity: window.offline ? 0 : 1
        visible: opacity > 0
        Behavior on opacity { NumberAnimation { duration: 300; easing.type: Easing.InOutQuad } }
    }

    OfflineScreen {
        anchors.fill: parent
        display: window.display
        opacity: window.offline ? 1 : 0
        visible: opacity > 0
        Behavior on opacity { NumberAnimation { duration: 300; easing.type: Easing.InOutQuad } }
    }

    // The session screen (what a paired phone shows here) will be a third layer above
    // these, once the daemon reports sessions.
}
