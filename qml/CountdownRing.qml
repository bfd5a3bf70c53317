import QtQuick

// How long the code on screen stays valid: a ring that empties as the token ages and the
// seconds left beside it. It changes once a second, on the second, and does nothing in
// between, so an idle lobby screen doesn't redraw sixty times a second for a countdown.
Row {
    id: countdown

    // When the current code is replaced, and the rotation period in seconds.
    property date rotatesAt
    property int period: 60
    // Off while the screen is hidden: no timer runs for nobody.
    property bool running: true
    property real pixelSize: 24
    property color color: Theme.textMuted
    property color ringColor: Theme.available

    readonly property int secondsLeft: remainingMilliseconds > 0
                                       ? Math.ceil(remainingMilliseconds / 1000) : 0
    readonly property real fractionLeft: period > 0
                                         ? Math.max(0, Math.min(1, secondsLeft / period)) : 0

    property double now: Date.now()
    readonly property double remainingMilliseconds: isNaN(rotatesAt.getTime())
                                                    ? 0 : rotatesAt.getTime() - now

    spacing: Math.round(pixelSize * 0.6)

    onRotatesAtChanged: tick()
    onRunningChanged: tick()
    Component.onCompleted: tick()

    function tick() {
        now = Date.now()
        // Wake up just after the displayed second changes rather than on a free-running
        // one-second beat, which would drift and now and then skip a number.
        const untilNextSecond = remainingMilliseconds > 0 ? remainingMilliseconds % 1000 : 1000
        ticker.interval = Math.max(50, untilNextSecond + 20)
        // Once the time is up nothing changes until the daemon sends the next code.
        if (running && remainingMilliseconds > 0)
            ticker.restart()
        else
            ticker.stop()
    }

    Timer {
        id: ticker
        repeat: false
        onTriggered: countdown.tick()
    }

    // Built from clipped, rotated half rings rather than painted on a Canvas: a Canvas
    // costs a second frame for every repaint, this redraws in the frame the text changes.
    Item {
        id: ring
        anchors.verticalCenter: parent.verticalCenter
        width: Math.round(countdown.pixelSize * 1.5)
        height: width
        readonly property real thickness: Math.max(2, Math.round(width * 0.14))
        // Clockwise from twelve o'clock, like a clock face.
        readonly property real sweep: 360 * countdown.fractionLeft

        // Half of the coloured ring, in a window of its own half: inline components don't
        // see this file's ids, so they get their sizes passed in.
        component HalfRing: Item {
            property bool rightHalf
            property real diameter
            property real thickness
            property color color
            width: diameter / 2
            height: diameter
            clip: true
            Rectangle {
                x: parent.rightHalf ? -parent.diameter / 2 : 0
                width: parent.diameter
                height: parent.diameter
                radius: width / 2
                color: "transparent"
                border.width: parent.thickness
                border.color: parent.color
                antialiasing: true
            }
        }

        Rectangle {
            anchors.fill: parent
            radius: width / 2
            color: "transparent"
            border.width: ring.thickness
            border.color: Theme.panelBorder
            antialiasing: true
        }

        // 0-180°: the ring's left half turned into the window of its right half.
        Item {
            x: ring.width / 2
            width: ring.width / 2
            height: ring.height
            clip: true
            visible: ring.sweep > 0
            Item {
                x: -ring.width / 2
                width: ring.width
                height: ring.height
                rotation: Math.min(ring.sweep, 180)
                HalfRing {
                    rightHalf: false
                    diameter: ring.width
                    thickness: ring.thickness
                    color: countdown.ringColor
                }
            }
        }

        // 180-360°: the right half turned into the window of the left half.
        Item {
            width: ring.width / 2
            height: ring.height
            clip: true
            visible: ring.sweep > 180
            Item {
                width: ring.width
                height: ring.height
                rotation: Math.max(0, ring.sweep - 180)
                HalfRing {
                    x: ring.width / 2
                    rightHalf: true
                    diameter: ring.width
                    thickness: ring.thickness
                    color: countdown.ringColor
                }
            }
        }

        // Round ends, so the arc doesn't stop in a hard clipped edge.
        component RingCap: Rectangle {
            property real angle
            property real diameter
            readonly property real radians: angle * Math.PI / 180
            readonly property real orbit: (diameter - width) / 2
            x: diameter / 2 + orbit * Math.sin(radians) - width / 2
            y: diameter / 2 - orbit * Math.cos(radians) - height / 2
            height: width
            radius: width / 2
            antialiasing: true
        }
        RingCap {
            angle: 0
            diameter: ring.width
            width: ring.thickness
            color: countdown.ringColor
            visible: ring.sweep > 0
        }
        RingCap {
            angle: ring.sweep
            diameter: ring.width
            width: ring.thickness
            color: countdown.ringColor
            visible: ring.sweep > 0
        }
    }

    Text {
        anchors.verticalCenter: parent.verticalCenter
        color: countdown.color
        font.pixelSize: countdown.pixelSize
        text: countdown.secondsLeft > 0
              ? qsTr("New code in %1 s").arg(countdown.secondsLeft)
              : qsTr("New code coming up\u2026")
    }
}
