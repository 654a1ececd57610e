// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title UsccCheck
/// @notice Validates a Unified Social Credit Code (GB 32100-2015) given as its 18 ASCII bytes.
/// @dev Shape `^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$`, the GB 11714 check character of the
/// organisation code at position 17, and the GB 32100 check character at position 18. Mirrors
/// gzchain/domain/uscc.py, except that the registration authority and institution type (positions 1-2) are
/// checked there only: those tables may grow, a check character's arithmetic never changes.
library UsccCheck {
    uint256 private constant _CHECKED_LENGTH = 17; // positions covered by the final check character
    uint256 private constant _BASE = 31; // size of the USCC alphabet 0-9 A-H J-N P Q R T U W X Y
    // GB 11714 weights of organisation-code characters 1-8 (USCC positions 9-16), one byte each.
    bytes8 private constant _ORGANISATION_WEIGHTS = 0x0307090a05080402;

    /// @notice The 1-based position of the first character that is wrong, or 0 if `code` is a valid USCC.
    /// @dev Positions are checked in order; position 17 is wrong when it is not the GB 11714 check character of
    /// positions 9-16, position 18 when it is not the GB 32100 check character of positions 1-17.
    function firstInvalidPosition(bytes18 code) internal pure returns (uint8) {
        uint256 total; // GB 32100: sum of value(Ci) * 3^(i-1) over positions 1-17
        uint256 weight = 1;
        uint256 organisationTotal; // GB 11714: weighted sum over positions 9-16
        for (uint256 i = 0; i < _CHECKED_LENGTH; i++) {
            bytes1 char = code[i];
            (bool known, uint256 value) = _value(char);
            bool digitsOnly = i >= 2 && i < 8; // positions 3-8: administrative division code
            if (!known || (digitsOnly && value > 9)) return uint8(i + 1);
            if (i >= 8 && i < 16) {
                organisationTotal += _organisationValue(char) * uint8(_ORGANISATION_WEIGHTS[i - 8]);
            } else if (i == 16 && char != _organisationCheckCharacter(organisationTotal)) {
                return 17;
            }
            total += value * weight;
            weight = (weight * 3) % _BASE;
        }
        (bool isAlphabet, uint256 last) = _value(code[_CHECKED_LENGTH]);
        if (!isAlphabet || last != (_BASE - (total % _BASE)) % _BASE) return 18;
        return 0;
    }

    /// @dev The value 0-30 of a USCC alphabet character; I, O, S, V and Z are not in the alphabet.
    function _value(bytes1 char) private pure returns (bool known, uint256 value) {
        uint8 c = uint8(char);
        if (c >= 0x30 && c <= 0x39) return (true, c - 0x30); // 0-9
        if (c >= 0x41 && c <= 0x48) return (true, c - 0x41 + 10); // A-H
        if (c >= 0x4a && c <= 0x4e) return (true, c - 0x4a + 18); // J-N
        if (c == 0x50) return (true, 23); // P
        if (c == 0x51) return (true, 24); // Q
        if (c == 0x52) return (true, 25); // R
        if (c == 0x54) return (true, 26); // T
        if (c == 0x55) return (true, 27); // U
        if (c == 0x57) return (true, 28); // W
        if (c == 0x58) return (true, 29); // X
        if (c == 0x59) return (true, 30); // Y
        return (false, 0);
    }

    /// @dev GB 11714 counts letters A=10 ... Z=35 over the full Latin alphabet, unlike the USCC alphabet.
    function _organisationValue(bytes1 char) private pure returns (uint256) {
        uint8 c = uint8(char);
        return c <= 0x39 ? c - 0x30 : c - 0x41 + 10;
    }

    function _organisationCheckCharacter(uint256 organisationTotal) private pure returns (bytes1) {
        uint256 check = 11 - (organisationTotal % 11);
        if (check == 10) return "X";
        if (check == 11) return "0";
        return bytes1(uint8(0x30 + check));
    }
}
